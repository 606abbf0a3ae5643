import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiBadRequestResponse,
  ApiOperation,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { AuthService } from '@app/auth';
import { Public } from './access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { UserDto } from '../users/users.dto';

class LoginDto {
  @ApiProperty({ example: 'frontdesk@clinic.test' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: 'demo-password' }) @IsString() @MaxLength(200) password!: string;
}

class LoginResponseDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ type: UserDto }) user!: UserDto;
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @ApiOperation({ summary: 'Log in: exchange email and password for an access token' })
  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiUnauthorizedResponse({ type: ProblemDto, description: 'Wrong email or password' })
  @ApiTooManyRequestsResponse({ type: ProblemDto, description: 'Rate limited' })
  login(@Body() body: LoginDto, @Req() request: FastifyRequest): Promise<LoginResponseDto> {
    return this.auth.login(body.email, body.password, request.ip);
  }
}
