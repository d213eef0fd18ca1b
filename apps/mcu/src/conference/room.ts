import { randomBytes } from 'node:crypto';

/**
 * Video layouts (`computeLayout` in `@mcu/media-mixer`): `auto` grows 1 → 2 → 2×2 → 3×3 → 4×4 (beyond 16
 * the most recent speakers), `speaker` is the active speaker large with up to 5 thumbnails, `single`
 * the active speaker only. Same names as the media plane's `LAYOUT_NAMES`.
 */
export const ROOM_LAYOUTS = ['auto', 'speaker', 'single'] as const;

/** One of `ROOM_LAYOUTS`. */
export type RoomLayout = (typeof ROOM_LAYOUTS)[number];

/** A room definition, as stored in Redis and returned by the REST API. */
export interface Room {
  /** Generated, 12 characters `[a-z0-9]`, first one a letter (so it never looks like a number). */
  readonly id: string;
  /** Display name, 1–100 characters; callers may dial it (case-insensitive). */
  readonly name: string;
  /** Dial number, 1–15 digits, unique among rooms (`sip:<number>@domain`, H.323 dialedDigits). */
  readonly number: string;
  /** Digits a caller must present (`<number>*<pin>`, or the SIP `pin` URI parameter). */
  readonly pin?: string;
  /** Calls admitted at once, lobby included (1–1000, default 50). */
  readonly maxParticipants: number;
  /** A locked room admits nobody new. */
  readonly locked: boolean;
  /** Callers wait in the lobby until an operator admits or rejects them. */
  readonly lobby: boolean;
  /** Video layout of the composite every participant receives (`PUT /api/rooms/:id/layout`). */
  readonly layout: RoomLayout;
  /** Whether a participant sees its own camera in the composite (default false: its tile is left out). */
  readonly selfView: boolean;
  /** ISO 8601 creation time. */
  readonly createdAt: string;
}

/** What a caller of `createRoom` provides; omitted fields take the defaults below. */
export interface RoomInput {
  readonly name: string;
  readonly number: string;
  readonly pin?: string;
  readonly maxParticipants?: number;
  readonly locked?: boolean;
  readonly lobby?: boolean;
  readonly layout?: RoomLayout;
  readonly selfView?: boolean;
}

/** A partial update; `pin: null` removes the PIN. */
export interface RoomPatch {
  readonly name?: string;
  readonly number?: string;
  readonly pin?: string | null;
  readonly maxParticipants?: number;
  readonly locked?: boolean;
  readonly lobby?: boolean;
  readonly layout?: RoomLayout;
  readonly selfView?: boolean;
}

/** A room's video layout settings (`PUT /api/rooms/:id/layout`; the media plane's `RoomLayoutSettings`). */
export interface RoomLayoutChoice {
  readonly layout: RoomLayout;
  readonly selfView: boolean;
}

/** Whether `value` is one of `ROOM_LAYOUTS`. */
export function isRoomLayout(value: unknown): value is RoomLayout {
  return ROOM_LAYOUTS.some((l) => l === value);
}

/** Defaults of a new room. */
export const ROOM_DEFAULTS = { maxParticipants: 50, locked: false, lobby: false, layout: 'auto', selfView: false } as const satisfies Partial<Room>;

/** Bounds of the room fields, shared by the DTOs and the domain. */
export const ROOM_LIMITS = {
  nameMaxLength: 100,
  numberPattern: /^\d{1,15}$/,
  pinPattern: /^\d{1,16}$/,
  maxParticipants: { min: 1, max: 1000 },
} as const;

const ID_FIRST = 'abcdefghijklmnopqrstuvwxyz';
const ID_REST = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new room id: 12 characters `[a-z0-9]` starting with a letter (about 61 bits of randomness). */
export function generateRoomId(): string {
  const bytes = randomBytes(12);
  let id = ID_FIRST[(bytes[0] ?? 0) % ID_FIRST.length] ?? 'r';
  for (let i = 1; i < 12; i++) id += ID_REST[(bytes[i] ?? 0) % ID_REST.length] ?? '0';
  return id;
}

/** Whether `text` has the shape of a generated room id. */
export function looksLikeRoomId(text: string): boolean {
  return /^[a-z][a-z0-9]{11}$/.test(text);
}
