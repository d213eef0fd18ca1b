import { Module } from '@nestjs/common';
import { ParticipantsController } from './participants.controller';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

/** REST for rooms and their participants (`ConferenceManager` comes from the global `ConferenceModule`). */
@Module({
  controllers: [RoomsController, ParticipantsController],
  providers: [RoomsService],
})
export class RoomsModule {}
