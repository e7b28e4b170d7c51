/**
 * Wavefront-style globs for metric and source names: `*` matches any run of characters, dots included
 * (`aws.ec2.*` finds every EC2 metric); every other character matches itself. Turned into a SQL LIKE pattern
 * (escape character `\`), so PostgreSQL matches it in linear time whatever the user sends.
 */
export const isGlob = (text: string): boolean => text.includes('*');

export function globToLike(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '%';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
