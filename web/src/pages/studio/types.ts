/** The studio's API answers (server/config-ops/automation-map.ts, studio.ts, server/http/routes/studio.ts). */

export interface MapRobot {
  id: string;
  type: string;
  title: string | null;
  after: string | null;
  at: string | { field: string; offset: string } | null;
  working_hours: boolean;
  after_robot: string | null;
  condition: unknown;
  stop_on_reply: boolean | null;
  skip_if_late: string | null;
  params: Record<string, unknown>;
  branch: { when: Array<{ condition: unknown; robots: string[] }>; else: string[] } | null;
  split: Array<{ variant: string; weight: number; robots: string[] }> | null;
  escalate: Array<{ after: string; to: string[] }>;
  lines: { from: number; to: number } | null;
}

export interface MapTrigger {
  id: string;
  type: string;
  event: string;
  condition: unknown;
  allow_backwards: boolean;
  params: Record<string, unknown>;
  lines: { from: number; to: number } | null;
}

export interface MapStage {
  id: string;
  name: string;
  semantic: string;
  stop_when: unknown;
  robots: MapRobot[];
  triggers: MapTrigger[];
}

export interface AutomationResponse {
  pipelines: Array<{ key: string; kind: 'lead' | 'deal'; name: string; stages: MapStage[] }>;
  robots: number;
  triggers: number;
  editable: boolean;
  can_edit_role: boolean;
}

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

export interface PlanSummary {
  cancelled_runs: number;
  robots_removed: number;
  robots_changed: number;
  robots_added: number;
  stages_removed: number;
  triggers_changed: number;
  templates_changed: number;
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
