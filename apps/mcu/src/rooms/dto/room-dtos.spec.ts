import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '../../http/field-problems';
import { VALIDATION_OPTIONS } from '../../http/validation-options';
import { CreateSipUserDto } from '../../sip-users/dto/create-sip-user.dto';
import { CreateRoomDto } from './create-room.dto';
import { UpdateParticipantDto } from './update-participant.dto';
import { SetRoomLayoutDto } from './room-layout.dto';
import { UpdateRoomDto } from './update-room.dto';

// @nestjs/swagger is an ES module that this jest setup does not transform; its decorators only add
// OpenAPI metadata and take no part in validation, so they are replaced by no-ops here. The whole
// stack, documentation included, is exercised by test/rooms-rest.e2e-spec.ts.
jest.mock('@nestjs/swagger', () => ({
  ApiProperty: () => () => undefined,
  ApiPropertyOptional: () => () => undefined,
}));

/** Field path → messages for `body` validated as `dto`, as the REST API reports them. */
async function problems(dto: new () => object, body: unknown): Promise<Record<string, string[]>> {
  const instance = plainToInstance(dto, body);
  const errors = await validate(instance as object, VALIDATION_OPTIONS);
  return Object.fromEntries(flattenValidationErrors(errors).map((p) => [p.field, p.messages]));
}

describe('CreateRoomDto', () => {
  it('accepts a minimal and a full room', async () => {
    expect(await problems(CreateRoomDto, { name: 'Board', number: '4711' })).toEqual({});
    expect(await problems(CreateRoomDto, { name: 'Board', number: '4711', pin: '0042', maxParticipants: 1000, locked: true, lobby: false, layout: 'single' })).toEqual({});
  });

  it('trims the name', () => {
    expect(plainToInstance(CreateRoomDto, { name: '  Board  ', number: '1' }).name).toBe('Board');
  });

  it.each([
    [{ number: '1' }, 'name'],
    [{ name: '   ', number: '1' }, 'name'],
    [{ name: 'x'.repeat(101), number: '1' }, 'name'],
    [{ name: 42, number: '1' }, 'name'],
    [{ name: 'a' }, 'number'],
    [{ name: 'a', number: 4711 }, 'number'],
    [{ name: 'a', number: '' }, 'number'],
    [{ name: 'a', number: '12a' }, 'number'],
    [{ name: 'a', number: '1234567890123456' }, 'number'],
    [{ name: 'a', number: '1', pin: 'abcd' }, 'pin'],
    [{ name: 'a', number: '1', pin: null }, 'pin'],
    [{ name: 'a', number: '1', pin: 1234 }, 'pin'],
    [{ name: 'a', number: '1', maxParticipants: 0 }, 'maxParticipants'],
    [{ name: 'a', number: '1', maxParticipants: 1001 }, 'maxParticipants'],
    [{ name: 'a', number: '1', maxParticipants: 2.5 }, 'maxParticipants'],
    [{ name: 'a', number: '1', maxParticipants: '5' }, 'maxParticipants'],
    [{ name: 'a', number: '1', locked: 'true' }, 'locked'],
    [{ name: 'a', number: '1', lobby: 1 }, 'lobby'],
    [{ name: 'a', number: '1', layout: 'mosaic' }, 'layout'],
    [{ name: 'a', number: '1', id: 'chosen' }, 'id'],
    [{ name: 'a', number: '1', createdAt: '2020-01-01' }, 'createdAt'],
  ])('%j is rejected on %s', async (body, field) => {
    const found = await problems(CreateRoomDto, body);
    expect(Object.keys(found)).toEqual([field]);
    expect(found[field]?.join(' ')).toContain(field);
  });
});

describe('UpdateRoomDto', () => {
  it('accepts any subset, and pin null', async () => {
    expect(await problems(UpdateRoomDto, {})).toEqual({});
    expect(await problems(UpdateRoomDto, { pin: null })).toEqual({});
    expect(await problems(UpdateRoomDto, { lobby: true, layout: 'speaker' })).toEqual({});
  });

  it.each([
    [{ name: null }, 'name'],
    [{ number: null }, 'number'],
    [{ locked: null }, 'locked'],
    [{ maxParticipants: null }, 'maxParticipants'],
    [{ pin: '' }, 'pin'],
    [{ layout: null }, 'layout'],
    [{ muted: true }, 'muted'],
  ])('%j is rejected on %s', async (body, field) => {
    expect(Object.keys(await problems(UpdateRoomDto, body))).toEqual([field]);
  });
});

describe('UpdateParticipantDto', () => {
  it('requires a boolean muted', async () => {
    expect(await problems(UpdateParticipantDto, { muted: false })).toEqual({});
    expect(Object.keys(await problems(UpdateParticipantDto, {}))).toEqual(['muted']);
    expect(Object.keys(await problems(UpdateParticipantDto, { muted: 'yes' }))).toEqual(['muted']);
    expect(Object.keys(await problems(UpdateParticipantDto, { muted: true, state: 'left' }))).toEqual(['state']);
  });
});

describe('CreateSipUserDto', () => {
  it('accepts a user', async () => {
    expect(await problems(CreateSipUserDto, { username: 'alice.b+1', password: 'eight chars', displayName: 'Alice' })).toEqual({});
  });

  it.each([
    [{ password: 'long enough' }, 'username'],
    [{ username: 'has space', password: 'long enough' }, 'username'],
    [{ username: 'a@b', password: 'long enough' }, 'username'],
    [{ username: 'x'.repeat(65), password: 'long enough' }, 'username'],
    [{ username: 'alice' }, 'password'],
    [{ username: 'alice', password: 'short' }, 'password'],
    [{ username: 'alice', password: 'x'.repeat(129) }, 'password'],
    [{ username: 'alice', password: 'long enough', displayName: '' }, 'displayName'],
    [{ username: 'alice', password: 'long enough', ha1: 'abc' }, 'ha1'],
  ])('%j is rejected on %s', async (body, field) => {
    expect(Object.keys(await problems(CreateSipUserDto, body))).toEqual([field]);
  });
});

describe('flattenValidationErrors', () => {
  it('reports a non-object body', async () => {
    const errors = await validate(plainToInstance(CreateRoomDto, 'just a string') as unknown as object, VALIDATION_OPTIONS);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('gives nested fields dotted paths', () => {
    expect(
      flattenValidationErrors([
        { property: 'outer', children: [{ property: '0', children: [{ property: 'name', constraints: { isString: 'name must be a string' }, children: [] }] }] },
      ]),
    ).toEqual([{ field: 'outer.0.name', messages: ['name must be a string'] }]);
  });
});

describe('SetRoomLayoutDto', () => {
  it('accepts each layout, with or without selfView', async () => {
    for (const layout of ['auto', 'speaker', 'single']) expect(await problems(SetRoomLayoutDto, { layout })).toEqual({});
    expect(await problems(SetRoomLayoutDto, { layout: 'speaker', selfView: true })).toEqual({});
  });

  it.each([
    [{}, 'layout'],
    [{ layout: 'mosaic' }, 'layout'],
    [{ layout: 3 }, 'layout'],
    [{ layout: 'auto', selfView: 'no' }, 'selfView'],
    [{ layout: 'auto', selfView: null }, 'selfView'],
    [{ layout: 'auto', border: 2 }, 'border'],
  ])('refuses %j naming %s', async (body, field) => {
    expect(Object.keys(await problems(SetRoomLayoutDto, body))).toEqual([field]);
  });
});
