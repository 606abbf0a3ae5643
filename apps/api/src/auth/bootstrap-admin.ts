import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UsersService } from '@app/auth';

@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  constructor(private readonly users: UsersService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.users.ensureBootstrapAdmin();
  }
}
