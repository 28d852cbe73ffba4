// What a migration did, as the report prints it and `--report FILE` writes it.

/** Something a migration could not carry to the Responses + Conversations backend, where it was, and why. */
export interface NotCarried {
  assistant_id?: string;
  thread_id?: string;
  message_id?: string;
  run_id?: string;
  step_id?: string;
  /** What was left behind (`image_file content`, `attachment file-abc`, `message metadata`, …). */
  what: string;
  why: string;
}

/** One thread's migration. */
export interface ThreadReport {
  thread_id: string;
  /** The conversation it is (undefined: not made yet, in a dry run or after a failure before it). */
  conversation_id: string | undefined;
  /** The items the thread becomes. */
  items: number;
  /** The items this run added (0 when the conversation already held them all). */
  added: number;
  status: 'copied' | 'up_to_date' | 'planned' | 'failed';
  error?: string;
}

/** One assistant's configuration file. */
export interface AssistantReport {
  assistant_id: string;
  name: string | null;
  /** The file, relative to the working directory when it is under it. */
  file: string;
}

/** The whole report (`--report FILE`). */
export interface MigrationReport {
  object: 'assistant_machines.migration';
  from: string;
  to: string;
  dry_run: boolean;
  assistants: AssistantReport[];
  threads: ThreadReport[];
  not_carried: NotCarried[];
}
