/** Types the pages use, re-exported from the adapter so pages import nothing else of the collector. */
export type { AgentListRow, AlertRecord, AuditRecord, EvaluationView, FailingMember, HostMember, HostRow, IndicatorResult, Report, Role, SystemMember, SystemRecord, SystemSource, VerdictChange } from './data.js';
export type { TrendPoint, Trends } from '../store/indicator-trend.js';
