import { KagedDaemonError } from './kaged-daemon-error.js';

/** One problem in a project file (or a file it references), with its position. */
export interface ConfigIssue {
  /** The file as the operator would type it (relative to the working directory when inside it). */
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. `agents.assistant.model`; empty for the whole document. */
  path: string;
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** The project cannot be loaded. Carries every problem found, not just the first. */
export class ProjectConfigError extends KagedDaemonError {
  static override readonly marker: string = 'kaged.daemon.ProjectConfigError';

  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('invalid_project', issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}
