/** A prompt version's text, or why it is not available. */
export type VersionText = { text: string } | { text: null; reason: string };

/** What `GET /v1/prompts/{promptId}/versions` says of a version's text. */
export interface VersionRef {
  text: string | null;
  textMissing: string | null;
}

/**
 * The text of one version of a prompt, as the daemon gives it with the version's figures: the
 * store's for the version it serves, else the system prompt a turn of that version ran with,
 * from its trace. kaged keeps no prompt database; the traces and the files are the record.
 */
export function versionText(version: VersionRef): VersionText {
  if (version.text !== null) return { text: version.text };
  return { text: null, reason: sentence(version.textMissing ?? 'the daemon did not say why') };
}

function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
