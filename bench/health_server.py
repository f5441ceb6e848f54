#!/usr/bin/env python3
"""A stand-in for a fleet's health endpoints in the benchmarks (not a test): answers every request
with 200 "ok" on 127.0.0.1:PORT (keep-alive, asyncio, a deep listen backlog so a thousand services
probing at once are all answered), until killed.

usage: bench/health_server.py PORT
"""
import asyncio
import sys

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:") and int(line.split(b":")[1]) > 0:
                    await reader.readexactly(int(line.split(b":")[1]))
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
