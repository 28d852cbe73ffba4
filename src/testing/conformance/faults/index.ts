import type { ConformanceCheck } from '../check.ts';
import { faultLostCreate } from './lostCreate.ts';
import { faultReattachRequiresAction, faultReattachRun, faultReattachToolOutputs } from './reattach.ts';
import { faultPollAfterCut, faultResumeAfterCreated, faultResumeMidText, faultResumeTwice } from './resume.ts';

/** The checks that run only with `faults`: each cuts a connection through the fault proxy and recovers as documented. */
export const FAULT_CHECKS: readonly ConformanceCheck[] = [
  faultReattachRun,
  faultReattachRequiresAction,
  faultReattachToolOutputs,
  faultResumeAfterCreated,
  faultResumeMidText,
  faultResumeTwice,
  faultPollAfterCut,
  faultLostCreate,
];
