import packageJson from '../package.json' with { type: 'json' };

/** The daemon's version, from its package.json (bundled at build time). */
export const kagedVersion: string = packageJson.version;
