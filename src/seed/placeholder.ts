import { createHash } from 'node:crypto';

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/**
 * A small square SVG standing in for a product photo: the department's hue shifted per brand,
 * the brand name large and the category below it. Pure: the same inputs give the same bytes,
 * hence the same content-addressed URL.
 */
export function placeholderSvg(input: { hue: number; department: string; category: string; brand: string }): string {
  const digest = createHash('sha256').update(`${input.category}|${input.brand}`).digest();
  const hue = (input.hue + (digest[0]! % 40) - 20 + 360) % 360;
  const lightness = 38 + (digest[1]! % 18);
  const accent = (hue + 180) % 360;
  const brand = escapeXml(input.brand);
  const brandSize = input.brand.length > 14 ? 40 : 52;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600" role="img"',
    ` aria-label="${brand} ${escapeXml(input.category)}">`,
    `<rect width="600" height="600" fill="hsl(${hue} 55% ${lightness}%)"/>`,
    `<circle cx="480" cy="120" r="${70 + (digest[2]! % 60)}" fill="hsl(${accent} 60% 70%)" opacity="0.35"/>`,
    `<rect x="0" y="430" width="600" height="170" fill="hsl(${hue} 40% ${lightness - 18}%)"/>`,
    `<text x="300" y="290" font-family="Helvetica, Arial, sans-serif" font-size="${brandSize}" font-weight="700" fill="#fff" text-anchor="middle">${brand}</text>`,
    `<text x="300" y="505" font-family="Helvetica, Arial, sans-serif" font-size="30" fill="#fff" text-anchor="middle">${escapeXml(input.category)}</text>`,
    `<text x="300" y="550" font-family="Helvetica, Arial, sans-serif" font-size="20" fill="#fff" opacity="0.75" text-anchor="middle">${escapeXml(input.department)}</text>`,
    '</svg>\n',
  ].join('');
}
