/**
 * The robots' contract (the ports a robot is given, the run it sees, a robot type's definition),
 * imported here only: the fakes and the run builder take it from this file, so where the
 * contract lives is written once.
 */
export type { CallbackSettings, CallStart, Conversion, ConversionPlan, HttpAnswer, NewTask, RobotPorts, RobotRunContext, RunRef } from '../../robots/contract';
export type { RobotDefinition } from '../../robots/contract';
