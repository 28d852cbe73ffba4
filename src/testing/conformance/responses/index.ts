import type { ConformanceCheck } from '../check.ts';
import { responsesBackground } from './background.ts';
import { responsesBackgroundDisconnect } from './backgroundDisconnect.ts';
import { responsesCancelInProgress, responsesCancelNotBackground, responsesCancelQueued, responsesCancelTwice } from './cancel.ts';
import { responsesConversationExclusive } from './conversationExclusive.ts';
import { conversationItemsCrud, conversationItemsLimit, conversationItemsPagination, conversationsCrud } from './conversations.ts';
import { responsesConversation } from './conversationTurns.ts';
import { responsesCreate } from './create.ts';
import { responsesDelete } from './delete.ts';
import { responsesErrorInvalidRequest, responsesErrorUnknownId, responsesErrorUnknownPrevious } from './errors.ts';
import { responsesFunctionCall } from './functionCall.ts';
import { responsesFunctionCallOutput } from './functionCallOutput.ts';
import { responsesIdempotentRetry } from './idempotency.ts';
import { responsesInputItems } from './inputItems.ts';
import { responsesObjectKeys } from './objectKeys.ts';
import { responsesPreviousResponse } from './previousResponse.ts';
import { responsesReachTerminal } from './reachTerminal.ts';
import { responsesResumeAfterCreated, responsesResumeBeforeTerminal, responsesResumeMidText } from './resume.ts';
import { responsesStoreFalse } from './storeFalse.ts';
import { responsesStreamIndexes } from './streamIndexes.ts';
import { responsesStreamKeys } from './streamKeys.ts';
import { responsesStreamOrder } from './streamOrder.ts';
import { responsesStreamSequence } from './streamSequence.ts';
import { responsesStreamText } from './streamText.ts';

/** The Responses and Conversations checks, in the order they run (`responses-reach-terminal` last: it follows what the others started). */
export const RESPONSES_CHECKS: readonly ConformanceCheck[] = [
  responsesCreate,
  responsesObjectKeys,
  responsesErrorUnknownId,
  responsesErrorInvalidRequest,
  responsesErrorUnknownPrevious,
  responsesStreamOrder,
  responsesStreamKeys,
  responsesStreamSequence,
  responsesStreamIndexes,
  responsesStreamText,
  responsesFunctionCall,
  responsesFunctionCallOutput,
  responsesPreviousResponse,
  responsesStoreFalse,
  responsesInputItems,
  responsesDelete,
  responsesIdempotentRetry,
  responsesBackground,
  responsesBackgroundDisconnect,
  responsesResumeAfterCreated,
  responsesResumeMidText,
  responsesResumeBeforeTerminal,
  responsesCancelQueued,
  responsesCancelInProgress,
  responsesCancelTwice,
  responsesCancelNotBackground,
  conversationsCrud,
  conversationItemsCrud,
  conversationItemsLimit,
  conversationItemsPagination,
  responsesConversation,
  responsesConversationExclusive,
  responsesReachTerminal,
];
