import type { RobotDefinition } from './contract';
import { assign } from './assign';
import { autoCallback } from './auto-callback';
import { changeStatus } from './change-status';
import { createOnBasis } from './create-on-basis';
import { createTask, remind } from './create-task';
import { markRepeatClient, notifyRepeatClient } from './notify-repeat-client';
import { notify } from './notify';
import { sendMessage } from './send-message';
import { setFields } from './set-fields';
import { waitFor } from './wait-for';
import { branch } from './branch';
import { split } from './split';
import { webhook } from './webhook';

/** The list of robot types: adding one is its file plus one line here. The engine knows none by name. */
export const robotDefinitions: RobotDefinition[] = [
  createOnBasis,
  changeStatus,
  notifyRepeatClient,
  markRepeatClient,
  notify,
  sendMessage,
  assign,
  setFields,
  createTask,
  remind,
  webhook,
  autoCallback,
  waitFor,
  branch,
  split,
] as unknown as RobotDefinition[];
