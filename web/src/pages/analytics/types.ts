/** `GET /api/analytics/funnel` (server/reports/analytics.ts funnelReport); `*_name` fields where the server gives names beside ids. */
export interface FunnelStage {
  stage: string;
  name: string;
  semantic: 'open' | 'won' | 'lost';
  entered: number;
  entries: number;
  current: number;
  conversion_to_next: number | null;
  conversion_forward: number | null;
  hours_in_stage: { average: number | null; median: number | null };
  stuck: number | null;
}

export interface OutcomeGroup {
  items: number;
  won: number;
  lost: number;
  open: number;
  win_rate: number | null;
  source?: string;
  responsible?: string;
  name?: string;
  label?: string;
  source_name?: string;
  source_label?: string;
  responsible_name?: string;
}

export interface LostReasonRow {
  stage: string;
  reason: string | null;
  refused_by: 'we_refused' | 'client_refused' | null;
  count: number;
  label?: string;
  reason_label?: string;
  reason_name?: string;
}

export interface FunnelReport {
  pipeline: string;
  /** The whole range's items, won, lost, open and win rate (servers that give it). */
  totals?: { items: number; won: number; lost: number; open: number; win_rate: number | null };
  stages: FunnelStage[];
  lost_reasons: LostReasonRow[];
  by_source: OutcomeGroup[];
  by_manager: OutcomeGroup[];
  /** A/B splits, per split and variant (servers that give it). */
  by_variant?: VariantRow[];
}

export interface VariantRow {
  split: string;
  variant: string;
  items: number;
  won: number;
  replied: number;
  conversion: number | null;
  reply_rate: number | null;
}
