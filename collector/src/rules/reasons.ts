/**
 * Why a member fails an indicator: a catalogue code with parameters (protocol/src/reasons/),
 * plus, where an agent sent text that no code describes, that text as evidence. Evidence is
 * shown as what the agent said, never as the reason, and never parsed for meaning.
 */
import { REASONS, renderReason, type Lang, type Reason, type ReasonParams } from '@posture/protocol';

export interface FailReason extends Reason {
  /** What an agent (or the OS under it) said, verbatim, in whatever language it speaks. */
  evidence?: string;
}

export const because = (code: string, params?: ReasonParams, evidence?: string): FailReason => ({
  code,
  ...(params ? { params } : {}),
  ...(evidence ? { evidence } : {}),
});

/** The reason in the reader's language, without its evidence. */
export const reasonText = (r: Reason, lang: Lang): string => renderReason(r, lang, REASONS);

/** Vietnam time (UTC+7) as "2026-04-30 17:00 (UTC+7)": a parameter that reads the same in both languages. */
export function vnTime(iso: string): string {
  const d = new Date(Date.parse(iso) + 7 * 3600_000);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} (UTC+7)`;
}
