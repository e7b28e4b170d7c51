/** An API Gateway error as AWS answers it; the handler turns it into the wire error (`SimError`). */
export class ApiGatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string): ApiGatewayError => new ApiGatewayError(404, 'NotFoundException', message);
export const badRequest = (message: string): ApiGatewayError => new ApiGatewayError(400, 'BadRequestException', message);
export const conflict = (message: string): ApiGatewayError => new ApiGatewayError(409, 'ConflictException', message);
/** A quota on how many of something an account may hold (AWS answers it with status 429). */
export const limitExceeded = (message: string): ApiGatewayError => new ApiGatewayError(429, 'LimitExceededException', message);
