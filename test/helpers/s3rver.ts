import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

/** The part of s3rver's API the tests use (it ships no types): a real S3-compatible server on 127.0.0.1. */
export interface S3rverServer { run(): Promise<AddressInfo>; close(): Promise<void> }

export const S3rver = createRequire(import.meta.url)('s3rver') as new (o: {
  address: string; port: number; directory: string; silent: boolean; configureBuckets: { name: string }[];
}) => S3rverServer;
