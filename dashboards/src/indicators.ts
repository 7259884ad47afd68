/**
 * The indicators the Overview dashboard draws one row for, with their targets (gauge and bar
 * thresholds need a fixed number). Mirrors the collector's indicator definitions
 * (collector/src/rules/builtin.ts today, rules/*.rules.yaml later); the dashboard integration
 * test fails when the collector writes an indicator that is missing here, or the reverse.
 */
import type { Text } from './common.js';

export interface IndicatorRef {
  /** The `indicator` tag the collector writes. */
  id: string;
  /** TT of the row in the directive's appendix table. */
  tt: number;
  title: Text;
  /** Ratio 0..1. */
  target: number;
}

export const INDICATORS: readonly IndicatorRef[] = [
  {
    id: 'systems_classified',
    tt: 11,
    title: {
      vi: 'Tỷ lệ hệ thống thông tin được xác định cấp độ và triển khai phương án bảo vệ theo cấp độ',
      en: 'Information systems with a security level determined and its protection plan deployed',
    },
    target: 0.7,
  },
  {
    id: 'endpoint_protection',
    tt: 12,
    title: { vi: 'Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ', en: 'Endpoints with a protection solution installed' },
    target: 0.9,
  },
];
