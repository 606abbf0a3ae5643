import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { systemClock } from '@app/domain';
@Injectable()
class A { constructor() {} }
console.log('ok', typeof A, systemClock.now().toISO(), DateTime.now().zoneName);
