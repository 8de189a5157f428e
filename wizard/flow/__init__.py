"""The wizard engine: steps declared as data, navigation derived from the answers."""
