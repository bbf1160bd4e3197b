import type { Config } from '../platform/config.ts';

/** The CAPTCHA widget a checkout renders: the configured provider's (they share siteverify, not their scripts). */
export interface ChallengeWidget {
  siteKey: string;
  script: string;
  className: string;
}

/** The widget of the configured provider; null means the sandbox's checkbox. */
export function challengeWidgetFor(config: Pick<Config, 'challengeVerifyUrl' | 'challengeSiteKey'>): ChallengeWidget | null {
  const { challengeVerifyUrl, challengeSiteKey } = config;
  if (!challengeVerifyUrl || !challengeSiteKey) return null;
  const host = new URL(challengeVerifyUrl).hostname;
  if (host.endsWith('hcaptcha.com')) return { siteKey: challengeSiteKey, script: 'https://js.hcaptcha.com/1/api.js', className: 'h-captcha' };
  if (host.endsWith('google.com') || host.endsWith('recaptcha.net')) return { siteKey: challengeSiteKey, script: 'https://www.google.com/recaptcha/api.js', className: 'g-recaptcha' };
  return { siteKey: challengeSiteKey, script: 'https://challenges.cloudflare.com/turnstile/v0/api.js', className: 'cf-turnstile' };
}

/**
 * The Content-Security-Policy of every storefront and console page: the shop's own scripts,
 * styles, fonts and forms only (pages have no inline script or style), images from anywhere a
 * product URL may point, and the CAPTCHA provider's script and frames when one is configured.
 */
export function webContentSecurityPolicy(config: Pick<Config, 'challengeVerifyUrl' | 'challengeSiteKey'>): string {
  const widget = challengeWidgetFor(config);
  const provider = widget ? [new URL(widget.script).origin] : [];
  return [
    "default-src 'self'",
    `script-src 'self' ${provider.join(' ')}`.trim(),
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    `connect-src 'self' ${provider.join(' ')}`.trim(),
    `frame-src ${provider.length > 0 ? provider.join(' ') : "'none'"}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join('; ');
}
