def greet(name: str) -> str:
    return f"Hello, {name} :waving_hand:"
