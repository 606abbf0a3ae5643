import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError } from '@app/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `:id` params must be UUIDs: a malformed one is a 400 naming the parameter, never a database error. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!UUID.test(value))
      throw DomainError.validation(
        metadata.data ?? 'id',
        'isUuid',
        `${metadata.data ?? 'id'} must be a UUID`,
      );
    return value.toLowerCase();
  }
}
