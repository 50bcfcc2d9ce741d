import type { GetResult } from '../api/client.ts';

/** The library's shapes, as the API's OpenAPI document states them (never hand-copied). */
export type LibraryItem = GetResult<'/api/library'>['items'][number];
export type OfficialItem = Extract<LibraryItem, { tier: 'official' }>;
export type CommunityItem = Extract<LibraryItem, { tier: 'community' }>;
export type TemplateDetail = GetResult<'/api/library/{id}'>;
export type Revision = TemplateDetail['revisions'][number];
export type Review = TemplateDetail['reviews'][number];
export type CheckDetail = NonNullable<Revision['check']['detail']>;
export type Tier = LibraryItem['tier'];
export const TIERS: readonly Tier[] = ['official', 'community'];
