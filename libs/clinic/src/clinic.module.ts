import { Module } from '@nestjs/common';
import { LocationsService } from './locations.service';
import { ProvidersService } from './providers.service';
import { VisitTypesService } from './visit-types.service';

@Module({
  providers: [LocationsService, ProvidersService, VisitTypesService],
  exports: [LocationsService, ProvidersService, VisitTypesService],
})
export class ClinicModule {}
