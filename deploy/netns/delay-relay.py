#!/usr/bin/env python3
"""A TCP relay that delivers what the client sends DELAY ms late, in order, and the answers at once.

Stands in for `tc netem delay` on kernels built without it: put it in front of a teacher and point the trainer at
the relay. Standard library only.
"""
import argparse
import asyncio


def parse(address):
    host, _, port = address.rpartition(":")
    return host, int(port)


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await queue.put((asyncio.get_running_loop().time() + delay, data))
    except ConnectionError:
        pass
    await queue.put((0, None))
    await sender


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="host:port to accept on")
    parser.add_argument("--to", required=True, help="host:port of the teacher")
    parser.add_argument("--delay-ms", type=float, required=True, help="delay of the client-to-teacher direction")
    args = parser.parse_args()
    target = parse(args.to)

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(*target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, args.delay_ms / 1000),
                             pump(server_reader, client_writer, 0), return_exceptions=True)

    server = await asyncio.start_server(handle, *parse(args.listen))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
