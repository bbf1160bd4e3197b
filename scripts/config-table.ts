/** Prints the configuration table for the README from the one place settings are defined. */
import { SETTINGS } from '../src/platform/config.ts';

console.log(['| variable | meaning |', '|---|---|', ...SETTINGS.map((s) => `| \`${s.env}\` | ${s.description.replaceAll('|', '\\|')} |`)].join('\n'));
