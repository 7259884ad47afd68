/**
 * The appendix report as JSON: the report model with a format tag. It keeps the fields of the
 * evaluation (indicators[].ministry, units[].scope/pass/total/ratio/met, failing[]) so that
 * scripts written against the first /api/v1/report keep working.
 */
import type { AppendixReport } from './model.js';

export const JSON_FORMAT = 'posture.appendix/v1';

export type JsonReport = AppendixReport & { format: typeof JSON_FORMAT };

export const toJson = (r: AppendixReport): JsonReport => ({ format: JSON_FORMAT, ...r });
