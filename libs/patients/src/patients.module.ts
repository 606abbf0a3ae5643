import { Module } from '@nestjs/common';
import { RemindersModule } from '@app/reminders';
import { PatientsService } from './patients.service';

@Module({ imports: [RemindersModule], providers: [PatientsService], exports: [PatientsService] })
export class PatientsModule {}
