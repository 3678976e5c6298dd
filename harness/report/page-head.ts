import { html, inlineSafe, raw, type Html } from './html-escape.ts';

/**
 * Only inline scripts/styles and data: images may load; a stray external URL would be blocked (and show up as a
 * console error) instead of silently making the report depend on the network.
 */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** The `<head>` every report page shares: charset, viewport, the CSP, no favicon request, title and styles. */
export function pageHead(title: string, styles: readonly string[]): Html {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<link rel="icon" href="data:,">
<title>${title}</title>
${styles.map((css, i) => html`${i ? '\n' : ''}<style>${raw(inlineSafe(css, 'style'))}</style>`)}
</head>`;
}
