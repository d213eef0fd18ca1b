import { Module } from '@nestjs/common';
import { ParticipantsController } from './participants.controller';
import { RoomsController } from './rooms.controller';
import { RoomEventsService } from './room-events.service';
import { RoomsService } from './rooms.service';

/**
 * REST for rooms, their participants, media statistics and event streams (`ConferenceManager` and
 * `ConferenceMedia` come from the global `ConferenceModule` and `MediaModule`).
 */
@Module({
  controllers: [RoomsController, ParticipantsController],
  providers: [RoomsService, RoomEventsService],
})
export class RoomsModule {}
