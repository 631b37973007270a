"""duikou-kg: a knowledge graph of China's counterpart-support policy system."""
