import type { ConformanceCheck } from '../check.ts';
import { assistantsCrud } from './assistantsCrud.ts';
import { cancel } from './cancel.ts';
import { codeInterpreter } from './codeInterpreter.ts';
import { createAndRunStream } from './createAndRunStream.ts';
import { assistantsErrorInvalidRequest, assistantsErrorUnknownId } from './errors.ts';
import { fileSearch } from './fileSearch.ts';
import { functionTools } from './functionTools.ts';
import { messagesOfRun } from './messagesOfRun.ts';
import { pagination } from './pagination.ts';
import { polling } from './polling.ts';
import { requiresActionExpiry } from './requiresActionExpiry.ts';
import { runsReachTerminal } from './runsReachTerminal.ts';
import { runStepsToolCalls } from './runStepsToolCalls.ts';
import { streamingOrder } from './streamingOrder.ts';
import { submitToolOutputsPolled } from './submitToolOutputsPolled.ts';
import { threadsMessagesCrud } from './threadsMessagesCrud.ts';
import { vectorStores } from './vectorStores.ts';

/** The Assistants checks, in the order they run: the first twelve are the suite's original ones; `runs-reach-terminal` last. */
export const ASSISTANTS_CHECKS: readonly ConformanceCheck[] = [
  assistantsCrud,
  threadsMessagesCrud,
  assistantsErrorUnknownId,
  assistantsErrorInvalidRequest,
  pagination,
  streamingOrder,
  polling,
  functionTools,
  codeInterpreter,
  vectorStores,
  fileSearch,
  cancel,
  createAndRunStream,
  messagesOfRun,
  runStepsToolCalls,
  submitToolOutputsPolled,
  requiresActionExpiry,
  runsReachTerminal,
];
