/** The workload part: profile → deterministic op stream → Postgres → history.jsonl. */
export { DEFAULT_PROFILE, ID_SHARDS, parseProfile, ProfileError } from './profile.ts';
export type { HotKeyBurst, IdRange, MixWeights, WorkloadProfile } from './profile.ts';
export { generateOps, OpGenerator, takeOps } from './generate.ts';
export { canonicalOpJson, OpHasher, workloadHash } from './op-hash.ts';
export type { Op, OpMeta, ProductValues, Step, UpdateSet } from './ops.ts';
export { runWorkload } from './driver.ts';
export type { RunWorkloadOptions, StopReason, WorkloadProgress, WorkloadSummary } from './driver.ts';
export { HistoryWriter, readHistory } from '../record/history-file.ts';
export type { HistoryWriterOptions, NewHistoryEntry, ReadHistoryOptions } from '../record/history-file.ts';
export type { Effect, HistoryEntry, OpKind, Outcome, ProductRow } from '../record/history.ts';
