import { describe, expect, it } from 'vitest';
import { localFailoverSlotSettings, standbySlot } from './postgres.ts';

describe('failover slots on a local cluster', () => {
  it('gives each member both roles: its own physical slot as a standby, the other one to wait for', () => {
    expect(localFailoverSlotSettings(15, 'postgres-1', 'postgres-2')).toEqual({});
    expect(localFailoverSlotSettings(16, 'postgres-1', 'postgres-2')).toEqual({});
    expect(localFailoverSlotSettings(17, 'postgres-1', 'postgres-2')).toEqual({
      sync_replication_slots: 'on',
      hot_standby_feedback: 'on',
      primary_slot_name: 'postgres_1',
      synchronized_standby_slots: 'postgres_2',
    });
    expect(localFailoverSlotSettings(18, 'postgres-2', 'postgres-1')).toMatchObject({
      primary_slot_name: 'postgres_2',
      synchronized_standby_slots: 'postgres_1',
    });
    // Slot names allow lower-case letters, digits and underscores only.
    expect(standbySlot('postgres-2')).toMatch(/^[a-z0-9_]+$/);
  });
});
