import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { AuthService } from './auth.service';
import { LoginLimiter } from './login-limiter';
import { UsersService } from './users.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        // A KeyObject made once: given the string, jsonwebtoken derives a key on every request.
        const key = createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
        return {
          secretOrKeyProvider: () => key,
          signOptions: { algorithm: 'HS256', expiresIn: config.JWT_TTL_SECONDS },
        };
      },
    }),
  ],
  providers: [AuthService, UsersService, LoginLimiter],
  exports: [AuthService, UsersService],
})
export class AuthModule {}
