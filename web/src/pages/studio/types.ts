/** The studio's API answers: the map's and the plan's shapes are the server's own (types only, no server code in the bundle). */

export type { MapRobot, MapTrigger, MapStage } from '../../../../server/config-ops/automation-map';
export type { PlanSummary } from '../../../../server/config-ops/studio';
export type { TemplatePreview as TemplatePreviewView } from '../../../../server/config-ops/template-preview';
import type { AutomationMap } from '../../../../server/config-ops/automation-map';
import type { PlanSummary } from '../../../../server/config-ops/studio';

/** GET /api/automation: the map, and whether this reader may edit. */
export type AutomationResponse = AutomationMap & { editable: boolean; can_edit_role: boolean };

export interface RobotActivity {
  robot: string;
  pending: number;
  last_7_days: { done: number; skipped: number; failed: number; unknown: number; cancelled: number };
  lines: { from: number; to: number } | null;
  yaml: string[];
}

export interface EditorIssue {
  line: number;
  col: number;
  path: string;
  message: string;
  suggestion: string | null;
}

export interface ReviewResponse {
  plan: {
    cancelled_runs: number;
    cancelled: Array<{ robot: string; pipeline: string; stage: string; why: 'removed' | 'moved'; cancelled_runs: number }>;
    changed: Array<{ robot: string; pipeline: string; stage: string; keys: string[]; pending_runs: number; keep_due_time: number }>;
    added: Array<{ robot: string; pipeline: string; stage: string }>;
    removed_stages: Array<{ pipeline: string; stage: string; items: number }>;
    triggers: Array<{ trigger: string; change: 'added' | 'removed' | 'changed' | 'moved'; keys: string[] }>;
    no_changes: boolean;
  };
  templates: Array<{ template: string; change: 'added' | 'removed' | 'changed'; keys: string[] }>;
  diff: string;
  summary: PlanSummary;
  hash: string;
}

export interface VersionView {
  id: number;
  author: string;
  createdAt: number;
  hash: string;
  planSummary: string | null;
  rollbackOf: number | null;
}
