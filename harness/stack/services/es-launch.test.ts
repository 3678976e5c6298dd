import { describe, expect, it } from 'vitest';
import { completeServerArgs, esString, REPLAY_SCRIPT } from './es-launch.ts';

describe('recording Elasticsearch’s server launch', () => {
  it('writes strings as Elasticsearch’s StreamOutput does: a vint of the length, then the bytes', () => {
    expect([...esString('ab')]).toEqual([2, 97, 98]);
    const long = 'x'.repeat(200);
    expect([...esString(long).subarray(0, 2)]).toEqual([0xc8, 0x01]);
    expect(esString(long).length).toBe(202);
  });

  it('knows the server arguments are complete once they end with the config and logs directories', () => {
    const tail = Buffer.concat([esString('/s/es/config'), esString('/s/es/logs')]);
    const args = Buffer.concat([Buffer.from([0, 0, 0]), Buffer.from('secrets and settings'), tail]);
    expect(completeServerArgs(args, '/s/es/config', '/s/es/logs')).toBe(true);
    expect(completeServerArgs(args.subarray(0, args.length - 1), '/s/es/config', '/s/es/logs')).toBe(false);
    expect(completeServerArgs(tail, '/s/es/config', '/s/es/logs')).toBe(false);
  });

  it('replays through a FIFO held open read-write, so the server never sees the end of its stdin', () => {
    expect(REPLAY_SCRIPT).toContain('mkfifo');
    expect(REPLAY_SCRIPT).toContain('exec 3<>');
    expect(REPLAY_SCRIPT).toMatch(/exec "\$@" <&3 3<&-$/);
  });
});
