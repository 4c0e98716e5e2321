import asyncio
async def worker(name, delay, results):
    for i in range(3):
        await asyncio.sleep(0)
        results.append(f"{name}{i}")
    return name.upper()
async def main():
    results = []
    done = await asyncio.gather(worker("a", 0, results), worker("b", 0, results))
    q = asyncio.Queue()
    for i in range(3):
        q.put_nowait(i)
    got = [await q.get() for _ in range(3)]
    try:
        async with asyncio.timeout(10):
            await asyncio.sleep(0)
    except TimeoutError:
        print("timeout")
    return done, results, got
print(asyncio.run(main()))
