/** The report's own errors, with the API code they answer with. */
export class ReportError extends Error {
  constructor(
    readonly code: 'QUERY_INVALID' | 'REPORT_NO_HISTORY',
    message: string,
  ) {
    super(message);
  }
}
