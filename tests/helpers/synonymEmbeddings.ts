// A small deterministic embedding for the semantic search tests, served on loopback as an
// OpenAI-compatible `POST /v1/embeddings`: a bag of concepts. Each group of synonyms below is
// one dimension (a word or phrase of the group counts for it), and every other word hashes
// into one of 128 further dimensions at half weight, so texts that say the same thing in other
// words point the same way and texts that share words still lean together. Words with digits
// (codes, ids: HR204, E1042) count for nothing, as dense embeddings are weak at exact rare
// tokens. A stand-in for a real embedding model (none can be downloaded here): it knows what
// this thesaurus knows.
import { apiError, startLoopback, type Loopback } from './loopback.ts';

const CONCEPTS: readonly (readonly string[])[] = [
  ['return', 'returned', 'returning', 'send back', 'sending back', 'sent back'],
  ['refund', 'refunds', 'money back', 'reimburse', 'reimbursed', 'reimbursement', 'repaid', 'repay', 'paid back'],
  ['leave', 'holiday', 'holidays', 'vacation', 'time off', 'pto'],
  ['employee', 'employees', 'staff', 'worker', 'workers', 'personnel', 'hire', 'hires', 'recruit', 'recruits'],
  ['work from home', 'remote', 'remotely', 'telecommute', 'telework'],
  ['manager', 'boss', 'supervisor'],
  ['approval', 'approve', 'agree', 'permission', 'consent'],
  ['travel', 'trip', 'journey', 'business trip'],
  ['cost', 'costs', 'expense', 'expenses', 'spending'],
  ['receipt', 'receipts', 'invoice', 'invoices'],
  ['password', 'passwords', 'login secret', 'passphrase', 'credentials'],
  ['rotate', 'rotated', 'change', 'changed', 'renew', 'reset'],
  ['colleague', 'colleagues', 'coworker', 'coworkers', 'teammate', 'teammates'],
  ['laptop', 'computer', 'equipment', 'device', 'hardware'],
  ['first morning', 'first day', 'day one'],
  ['parent', 'parents', 'maternity', 'paternity', 'parental'],
  ['child', 'baby', 'newborn', 'birth', 'adoption', 'kid'],
  ['insurance', 'coverage', 'covers', 'cover'],
  ['dental', 'teeth', 'tooth', 'dentist'],
  ['vision', 'eye', 'eyes', 'optical', 'glasses'],
  ['company', 'firm', 'employer', 'organisation', 'organization'],
  ['wages', 'wage', 'salary', 'payday', 'paycheck'],
  ['order', 'orders', 'parcel', 'package', 'shipment'],
  ['ship', 'ships', 'dispatch', 'dispatched', 'delivery', 'deliver'],
  ['customer', 'customers', 'client', 'clients', 'buyer'],
  ['complaint', 'complaints', 'grievance', 'grievances', 'complain'],
  ['unhappy', 'dissatisfied', 'displeased', 'upset'],
  ['dog', 'dogs', 'puppy', 'puppies', 'pet', 'pets'],
  ['office', 'workplace'],
  ['friday', 'fridays', 'end of the week', 'end of week'],
];
const HASHED_DIMENSIONS = 128;
const DIMENSIONS = CONCEPTS.length + HASHED_DIMENSIONS;
const STOP = new Set('a an and are as at be by can do does for from get how i in is it my of on or our the their to we what when where which who will with you your'.split(' '));

/** The embedding of `text`: concept counts, then hashed other words at half weight (not normalised: the server normalises). */
export function synonymEmbedding(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  let rest = ` ${text.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ')} `;
  // Phrases first, longest first, so "work from home" is not also "work" and "home".
  const phrases = CONCEPTS.flatMap((group, dimension) => group.map((phrase) => ({ phrase, dimension }))).sort((a, b) => b.phrase.length - a.phrase.length);
  for (const { phrase, dimension } of phrases) {
    const pattern = ` ${phrase} `;
    while (rest.includes(pattern)) {
      vector[dimension]! += 1;
      rest = rest.replace(pattern, ' ');
    }
  }
  for (const word of rest.split(' ')) {
    if (word === '' || STOP.has(word) || /\d/.test(word)) continue;
    let hash = 0;
    for (const character of word) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
    vector[CONCEPTS.length + (hash % HASHED_DIMENSIONS)]! += 0.5;
  }
  return vector;
}

/** A loopback embeddings API serving {@link synonymEmbedding}; it records requests (`requests`). */
export function startSynonymEmbeddings(): Promise<Loopback> {
  return startLoopback((request, response) => {
    if (!request.url.endsWith('/embeddings')) return apiError(response, 404, `No route ${request.url}`);
    const body = JSON.parse(request.body) as { input: string | string[]; model: string };
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        object: 'list',
        model: body.model,
        data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: synonymEmbedding(input) })),
        usage: { prompt_tokens: inputs.join(' ').split(/\s+/).length, total_tokens: inputs.join(' ').split(/\s+/).length },
      }),
    );
  });
}
