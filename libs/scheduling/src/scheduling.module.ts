import { Module } from '@nestjs/common';
import { ClinicModule } from '@app/clinic';
import { PatientsModule } from '@app/patients';
import { RemindersModule } from '@app/reminders';
import { AppointmentQueriesService } from './appointment-queries.service';
import { AppointmentsService } from './appointments.service';
import { BookingRulesService } from './booking-rules.service';
import { CarePlansService } from './care-plans.service';
import { SeriesService } from './series.service';
import { SlotsService } from './slots.service';

@Module({
  imports: [ClinicModule, PatientsModule, RemindersModule],
  providers: [
    AppointmentsService,
    AppointmentQueriesService,
    BookingRulesService,
    CarePlansService,
    SeriesService,
    SlotsService,
  ],
  exports: [
    AppointmentsService,
    AppointmentQueriesService,
    CarePlansService,
    SeriesService,
    SlotsService,
  ],
})
export class SchedulingModule {}
