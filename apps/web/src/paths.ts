/**
 * Where the site serves @kdkit/pretrained's manifest.json and weights/ (relative to the page):
 * the build plugin publishes them there, the page passes it to `pretrained()` as `baseUrl`.
 */
export const PRETRAINED_BASE = 'pretrained/';
