import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { EventsTriggersChannels1764100000000 } from './1764100000000-events-triggers-channels';
import { RunLeases1764200000000 } from './1764200000000-run-leases';
import { PendingRunsIndex1764300000000 } from './1764300000000-pending-runs-index';
import { Sessions1764400000000 } from './1764400000000-sessions';
import { TaskCompletion1764500000000 } from './1764500000000-task-completion';
import { StageEntryComment1764600000000 } from './1764600000000-stage-entry-comment';
import { Workplace1764700000000 } from './1764700000000-workplace';
import { ItemSearch1764800000000 } from './1764800000000-item-search';
import { InstallSecrets1765000000000 } from './1765000000000-install-secrets';
import { ItemVariants1765500000000 } from './1765500000000-item-variants';
import { SignInFailures1765100000000 } from './1765100000000-sign-in-failures';
import { ConsentRegister1765600000000 } from './1765600000000-consent-register';
import { ConfigVersions1765700000000 } from './1765700000000-config-versions';
import { TurnsAndLeases1765800000000 } from './1765800000000-turns-and-leases';

/** Listed explicitly (no glob) so tsx, jest and a bundled build all find the same set. */
export const migrations = [
  InitialSchema1764000000000,
  EventsTriggersChannels1764100000000,
  RunLeases1764200000000,
  PendingRunsIndex1764300000000,
  Sessions1764400000000,
  TaskCompletion1764500000000,
  StageEntryComment1764600000000,
  Workplace1764700000000,
  ItemSearch1764800000000,
  InstallSecrets1765000000000,
  SignInFailures1765100000000,
  ItemVariants1765500000000,
  ConsentRegister1765600000000,
  ConfigVersions1765700000000,
  TurnsAndLeases1765800000000,
];
