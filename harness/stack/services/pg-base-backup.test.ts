import { describe, expect, it } from 'vitest';
import { backupStatements, leftOutOfBaseBackup } from './pg-base-backup.ts';

describe('base backup through the low-level API', () => {
  it('uses pg_backup_start/stop from 15 on and the non-exclusive pg_start/stop_backup on 14', () => {
    for (const m of [15, 16, 17, 18]) {
      expect(backupStatements(m).start).toContain('pg_backup_start($1, true)');
      expect(backupStatements(m).stop).toContain('pg_backup_stop(false)');
    }
    expect(backupStatements(14).start).toContain('pg_start_backup($1, true, false)');
    expect(backupStatements(14).stop).toContain('pg_stop_backup(false, false)');
  });

  it('leaves out the running server files and the contents of the rebuilt directories', () => {
    for (const p of [
      'postmaster.pid',
      'postmaster.opts',
      'backup_label',
      'standby.signal',
      'pg_wal/000000010000000000000001',
      'pg_wal/archive_status/x.ready',
      'pg_replslot/debezium/state',
      'pg_stat_tmp/global.stat',
      'base/5/pgsql_tmp/pgsql_tmp123.0',
      'global/pg_internal.init',
    ])
      expect(leftOutOfBaseBackup(p), p).toBe(true);
  });

  it('keeps the cluster itself, and the emptied directories', () => {
    for (const p of [
      'PG_VERSION',
      'global/pg_control',
      'base/5/16384',
      'pg_xact/0000',
      'pg_logical/replorigin_checkpoint',
      'postgresql.auto.conf',
      'pg_hba.conf',
      'pg_wal',
      'pg_replslot',
      // Only the top-level postmaster.pid is the server's; a relation file is never skipped by its name.
      'base/5/postmaster.pid',
    ])
      expect(leftOutOfBaseBackup(p), p).toBe(false);
  });
});
