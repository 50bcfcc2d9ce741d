/**
 * PatternFly 6 ships its dark, high-contrast, felt and glass themes in every stylesheet: blocks of tokens
 * under `:root:where(.pf-v6-theme-dark)` (about 180 KB of base.css's 280 KB) and component rules under
 * `:where(.pf-v6-theme-glass) .pf-v6-c-…`. They apply only when the page puts a theme class on <html>,
 * which the portal never does, so the browser would parse them on every first visit for nothing. This
 * PostCSS plugin removes every selector that needs such a class; a selector that needs its absence
 * (`:root:not(.pf-v6-theme-glass)`) is the default look and stays. The default theme's tokens are untouched.
 */
const THEME_CLASS = /\.pf-v6-theme-[a-z-]+/;
const NEGATED = /:not\([^()]*\)/g;

/** The structural slice of PostCSS this plugin uses (declared here rather than importing postcss' types). */
interface CssNode { type: string; parent?: CssNode; nodes?: CssNode[]; selectors?: string[]; selector?: string; remove(): void }

/** True when the selector matches only under a theme class, i.e. names one outside a `:not()`. */
export function needsThemeClass(selector: string): boolean {
  return THEME_CLASS.test(selector.replace(NEGATED, ''));
}

export function unusedThemes() {
  return {
    postcssPlugin: 'herd-unused-themes',
    Rule(rule: CssNode) {
      const kept = rule.selectors!.filter((s) => !needsThemeClass(s));
      if (kept.length === rule.selectors!.length) return;
      let parent = rule.parent;
      if (kept.length > 0) {
        rule.selector = kept.join(',\n');
        return;
      }
      rule.remove();
      // an @media or @supports left empty goes too
      while (parent && parent.type === 'atrule' && parent.nodes?.length === 0) {
        const up = parent.parent;
        parent.remove();
        parent = up;
      }
    },
  };
}
