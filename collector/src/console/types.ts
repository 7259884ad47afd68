/** Types the pages use, re-exported from the adapter so pages import nothing else of the collector. */
export type { AgentListRow, AlertRecord, AuditRecord, ConsoleHost, EvaluationView, FailingMember, HostMember, HostRow, IndicatorResult, Report, Role, SystemMember, SystemRecord, SystemSource, TrendPoint, Trends, VerdictChange } from './data.js';
