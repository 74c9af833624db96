import { fieldTimingOf } from '../core/field-timing';
import type { CompiledConfig } from '../core/compiled-config';
import { describeReenter, reenterRule } from '../core/reentry';

/**
 * `robots validate --explain`: every robot with when it runs and what a re-entry does to it,
 * the defaults spelled out, so the file says what it leaves unsaid. Pure.
 */
export function explainConfig(config: CompiledConfig): string {
  const lines: string[] = [];
  for (const pipeline of [config.leads, ...config.deals.values()]) {
    lines.push(`${pipeline.kind === 'lead' ? 'leads' : `deals/${pipeline.key}`}:`);
    for (const stage of pipeline.stages) {
      const stageRule = stage.reenter ? describeReenter(stage.reenter) : 'always (default)';
      lines.push(`  ${stage.id} (${stage.semantic}; re-entry: ${stage.on_reenter === 'skip' ? 'on_reenter: skip, no robot runs again' : stageRule})`);
      for (const robot of stage.robots) {
        const rule = reenterRule(robot, stage);
        const origin = robot.reenter ? '' : stage.reenter ? ' (the stage’s)' : ' (default)';
        lines.push(`    ${robot.id} (${robot.type}): ${timingOf(robot)}; reenter ${describeReenter(rule)}${origin}`);
      }
    }
  }
  return lines.join('\n');
}

function timingOf(robot: { at?: unknown; after?: string; after_robot?: string; working_hours?: boolean }): string {
  const field = fieldTimingOf(robot);
  const parts: string[] = [];
  if (field) {
    const offset = field.offset.replace(/^\+/, '');
    parts.push(offset === '0m' ? `at ${field.field}` : offset.startsWith('-') ? `${offset.slice(1)} before ${field.field}` : `${offset} after ${field.field}`);
  } else {
    parts.push(robot.after_robot ? `after ${robot.after_robot}` : 'on entry');
    if (robot.after) parts.push(`+${robot.after}`);
    if (typeof robot.at === 'string') parts.push(`at ${robot.at}`);
  }
  if (robot.working_hours) parts.push('in working hours');
  return parts.join(' ');
}
