// The timestamp readings live with the table model (its timestamp columns normalise by them); re-exported here for
// the checker's own modules and tests.
export * from '../model/timestamps.ts';
