/**
 * XML 1.0 escaping. Characters XML 1.0 forbids outright (most C0 controls, U+FFFE/U+FFFF, lone surrogates) cannot
 * be written even as character references, so they are replaced by a visible `\uXXXX` (a CI viewer that rejects
 * the file would hide the very failure it should show).
 */
const FORBIDDEN = new RegExp(
  [
    '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]', // controls and noncharacters
    '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])', // a high surrogate with no low one after it
    '(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]', // a low surrogate with no high one before it
  ].join('|'),
  'g',
);

function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export function xmlText(s: string): string {
  return s.replace(FORBIDDEN, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values additionally escape quotes and keep tabs/newlines (attribute normalisation would eat them). */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
